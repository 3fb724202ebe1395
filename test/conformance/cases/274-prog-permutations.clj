(defn perms [xs]
  (if (empty? xs) [[]]
    (for [x xs p (perms (remove #{x} xs))] (cons x p))))
(prn (perms [1 2 3]))
(prn (count (perms (range 6))))
(defn combos [k xs]
  (cond (zero? k) [()] (empty? xs) []
        :else (concat (map #(cons (first xs) %) (combos (dec k) (rest xs))) (combos k (rest xs)))))
(prn (combos 2 [:a :b :c :d]))
(defn powerset [xs] (reduce (fn [ps x] (concat ps (map #(conj % x) ps))) [[]] xs))
(prn (powerset [1 2 3]))
