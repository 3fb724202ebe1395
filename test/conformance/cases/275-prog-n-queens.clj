(defn safe? [qs col]
  (let [row (count qs)]
    (not-any? (fn [[r c]] (or (= c col) (= (- row r) (abs (- col c))))) (map-indexed vector qs))))
(defn queens [n]
  (loop [partial [[]] row 0]
    (if (= row n) partial
      (recur (for [qs partial col (range n) :when (safe? qs col)] (conj qs col)) (inc row)))))
(prn (count (queens 6)) (count (queens 8)))
(prn (first (queens 8)))
(doseq [c (first (queens 5))] (println (apply str (assoc (vec (repeat 5 ".")) c "Q"))))
