(def g {:a {:b 7 :c 9 :f 14} :b {:a 7 :c 10 :d 15} :c {:a 9 :b 10 :d 11 :f 2}
        :d {:b 15 :c 11 :e 6} :e {:d 6 :f 9} :f {:a 14 :c 2 :e 9}})
(defn relax [g u done dist]
  (reduce (fn [d v]
            (let [alt (+ (d u) (get-in g [u v]))]
              (if (< alt (get d v 1000000)) (assoc d v alt) d)))
          dist (remove done (keys (g u)))))
(defn dijkstra [g src]
  (loop [dist {src 0} todo #{src} done #{}]
    (if (empty? todo) dist
      (let [u (first (sort-by (fn [n] [(dist n) (name n)]) todo))
            nbrs (remove done (keys (g u)))]
        (recur (relax g u done dist) (into (disj todo u) nbrs) (conj done u))))))
(prn (sort-by key (dijkstra g :a)))
(prn ((dijkstra g :a) :e))
