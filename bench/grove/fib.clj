;; fib: naive doubly recursive (fib 27).
;; grove has no clock yet: the runner times this whole process and subtracts
;; the median startup of `grove -e nil`.  Valid Clojure too: under the JVM,
;; bench/jvm/harness.clj loads this file and times (workload) itself.

(defn fib [n]
  (if (< n 2)
    n
    (+ (fib (- n 1)) (fib (- n 2)))))

(defn workload [] (fib 27))

(println (workload))
