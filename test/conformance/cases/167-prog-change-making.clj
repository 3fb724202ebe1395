(defn ways [amount coins]
  (cond (zero? amount) 1
        (or (neg? amount) (empty? coins)) 0
        :else (+ (ways (- amount (first coins)) coins) (ways amount (rest coins)))))
(prn (ways 10 [1 5 10]))
(prn (ways 100 [1 5 10 25 50]))
(defn greedy [amount coins]
  (loop [a amount [c & cs :as all] (sort > coins) out []]
    (cond (zero? a) out (nil? c) nil (>= a c) (recur (- a c) all (conj out c)) :else (recur a cs out))))
(prn (greedy 68 [1 5 10 25]))
