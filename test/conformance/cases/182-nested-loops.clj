(prn (loop [i 0 out []]
       (if (= i 3) out
         (recur (inc i) (conj out (loop [j 0 s 0] (if (> j i) s (recur (inc j) (+ s j)))))))))
(defn table [n] (for [i (range 1 (inc n))] (vec (for [j (range 1 (inc n))] (* i j)))))
(doseq [row (table 4)] (prn row))
(prn (reduce + (for [i (range 100) j (range 100)] (* i j))))
