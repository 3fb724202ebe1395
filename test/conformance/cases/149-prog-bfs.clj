(def graph {:a [:b :c] :b [:d] :c [:d :e] :d [:f] :e [:f] :f []})
(defn bfs [g start]
  (loop [queue [start] seen #{start} order []]
    (if (empty? queue)
      order
      (let [n (first queue)
            nbrs (remove seen (g n))]
        (recur (into (vec (rest queue)) nbrs) (into seen nbrs) (conj order n))))))
(prn (bfs graph :a))
(defn dfs [g n seen]
  (if (seen n) seen (reduce (fn [s m] (dfs g m s)) (conj seen n) (g n))))
(prn (count (dfs graph :a #{})))
(prn (bfs graph :c))
