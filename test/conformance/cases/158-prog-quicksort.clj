(defn qsort [xs]
  (if (empty? xs) []
    (let [[p & r] xs]
      (concat (qsort (filter #(< % p) r)) [p] (qsort (filter #(>= % p) r))))))
(prn (qsort [3 1 4 1 5 9 2 6 5 3 5]))
(prn (= (qsort (range 50 0 -1)) (range 1 51)))
(defn msort [xs]
  (if (<= (count xs) 1) xs
    (let [[a b] (split-at (quot (count xs) 2) xs)]
      (loop [a (msort a) b (msort b) out []]
        (cond (empty? a) (into out b) (empty? b) (into out a)
              (<= (first a) (first b)) (recur (rest a) b (conj out (first a)))
              :else (recur a (rest b) (conj out (first b))))))))
(prn (msort [9 7 5 3 1 2 4 6 8]))
