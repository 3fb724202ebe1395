(def board [[5 3 4 6 7 8 9 1 2] [6 7 2 1 9 5 3 4 8] [1 9 8 3 4 2 5 6 7]
            [8 5 9 7 6 1 4 2 3] [4 2 6 8 5 3 7 9 1] [7 1 3 9 2 4 8 5 6]
            [9 6 1 5 3 7 2 8 4] [2 8 7 4 1 9 6 3 5] [3 4 5 2 8 6 1 7 9]])
(defn valid-group? [g] (= (sort g) (range 1 10)))
(defn boxes [b] (for [br (range 3) bc (range 3)] (for [r (range 3) c (range 3)] (get-in b [(+ (* 3 br) r) (+ (* 3 bc) c)]))))
(defn valid? [b] (every? valid-group? (concat b (apply map vector b) (boxes b))))
(prn (valid? board))
(prn (valid? (assoc-in board [0 0] 3)))
(prn (count (boxes board)) (first (boxes board)))
