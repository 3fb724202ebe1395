;; mfr: (reduce + (filter even? (map inc v))) over a 1,000,000-element
;; persistent vector; building the vector is part of the workload.
;; Timed from outside (see fib.clj).

(defn workload []
  (let [v (vec (range 1000000))]
    (reduce + (filter even? (map inc v)))))

(println (workload))
