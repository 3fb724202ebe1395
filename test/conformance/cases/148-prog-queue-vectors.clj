(defn enqueue [q x] (update q :in conj x))
(defn dequeue [q]
  (if (empty? (:out q))
    (if (empty? (:in q)) [nil q] (recur {:in [] :out (vec (reverse (:in q)))}))
    [(peek (:out q)) (update q :out pop)]))
(def q (reduce enqueue {:in [] :out []} [1 2 3]))
(let [[a q] (dequeue q)
      q (enqueue q 4)
      [b q] (dequeue q)
      [c q] (dequeue q)
      [d q] (dequeue q)
      [e q] (dequeue q)]
  (prn a b c d e q))
