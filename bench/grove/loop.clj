;; loop: sum of 0..10,000,000 (exclusive) with loop/recur.
;; Timed from outside (see fib.clj).

(defn workload []
  (loop [i 0 acc 0]
    (if (< i 10000000)
      (recur (inc i) (+ acc i))
      acc)))

(println (workload))
