(def fib
  (memoize
    (fn [n] (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))))
(prn (fib 50))
(prn (map fib (range 15)))
(defn fib-iter [n] (loop [a 0 b 1 i 0] (if (= i n) a (recur b (+ a b) (inc i)))))
(prn (fib-iter 90))
(prn (= (fib 60) (fib-iter 60)))
