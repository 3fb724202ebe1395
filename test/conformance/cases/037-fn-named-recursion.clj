(def fact (fn self [n] (if (<= n 1) 1 (* n (self (dec n))))))
(prn (fact 10))
(prn (map (fn fib [n] (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))) (range 12)))
(defn count-down [n acc]
  (if (zero? n) acc (count-down (dec n) (conj acc n))))
(prn (count-down 5 []))
(prn ((fn len [xs] (if (empty? xs) 0 (inc (len (rest xs))))) [1 2 3 4]))
