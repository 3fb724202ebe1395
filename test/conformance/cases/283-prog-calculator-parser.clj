(defn tokenize [s] (map #(if (re-matches #"\d+" %) (parse-long %) (symbol %)) (re-seq #"\d+|[-+*]" s)))
(declare parse-expr)
(defn parse-term [ts]
  (loop [[v ts] [(first ts) (rest ts)]]
    (if (= '* (first ts)) (recur [(* v (second ts)) (drop 2 ts)]) [v ts])))
(defn parse-expr [ts]
  (loop [[v ts] (parse-term ts)]
    (case (first ts)
      + (let [[r ts2] (parse-term (rest ts))] (recur [(+ v r) ts2]))
      - (let [[r ts2] (parse-term (rest ts))] (recur [(- v r) ts2]))
      [v ts])))
(prn (tokenize "2+3*4"))
(prn (first (parse-expr (tokenize "2+3*4"))))
(prn (first (parse-expr (tokenize "10-2*3-1"))))
(prn (first (parse-expr (tokenize "7"))))
