;; map-build: a persistent map of 100,000 entries i -> i*2, built by assoc
;; one entry at a time (no transients), then the sum of its values.
;; Timed from outside (see fib.clj).

(defn workload []
  (let [m (loop [m {} i 0]
            (if (< i 100000)
              (recur (assoc m i (* i 2)) (inc i))
              m))]
    (reduce + (vals m))))

(println (workload))
