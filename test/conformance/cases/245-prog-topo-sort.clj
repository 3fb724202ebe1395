(def deps {:app [:lib :util] :lib [:core] :util [:core] :core []})
(defn topo [g]
  (loop [done [] remaining (set (keys g))]
    (if (empty? remaining) done
      (let [ready (sort (filter #(every? (set done) (g %)) remaining))]
        (recur (into done ready) (reduce disj remaining ready))))))
(prn (topo deps))
(prn (topo {:a [] :b [:a] :c [:b] :d [:a]}))
