(defn sieve [n]
  (loop [i 2 composite #{} primes []]
    (cond (> i n) primes
          (composite i) (recur (inc i) composite primes)
          :else (recur (inc i) (into composite (range (* i i) (inc n) i)) (conj primes i)))))
(prn (sieve 50))
(prn (count (sieve 1000)))
(defn prime? [n] (and (> n 1) (not-any? #(zero? (mod n %)) (take-while #(<= (* % %) n) (iterate inc 2)))))
(prn (filter prime? (range 30)))
(prn (= (sieve 500) (filter prime? (range 501))))
