(def m [[1 4 7 11] [2 5 8 12] [3 6 9 16] [10 13 14 17]])
(defn search [m target]
  (loop [r 0 c (dec (count (first m)))]
    (if (or (>= r (count m)) (neg? c)) nil
      (let [v (get-in m [r c])]
        (cond (= v target) [r c] (> v target) (recur r (dec c)) :else (recur (inc r) c))))))
(prn (search m 5) (search m 17) (search m 15) (search m 1))
(prn (map #(search m %) [10 13]))
