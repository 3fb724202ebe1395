(defn score [rolls]
  (loop [frame 1 [a b c :as rs] rolls total 0]
    (cond (> frame 10) total
          (= a 10) (recur (inc frame) (rest rs) (+ total 10 b c))
          (= 10 (+ a b)) (recur (inc frame) (drop 2 rs) (+ total 10 c))
          :else (recur (inc frame) (drop 2 rs) (+ total a b)))))
(prn (score (repeat 20 0)))
(prn (score (repeat 12 10)))
(prn (score (repeat 21 5)))
(prn (score [10 7 3 9 0 10 0 8 8 2 0 6 10 10 10 8 1]))
