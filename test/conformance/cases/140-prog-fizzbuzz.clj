(defn fizzbuzz [n]
  (cond (zero? (mod n 15)) "FizzBuzz"
        (zero? (mod n 3)) "Fizz"
        (zero? (mod n 5)) "Buzz"
        :else n))
(doseq [i (range 1 21)] (println (fizzbuzz i)))
(prn (count (filter string? (map fizzbuzz (range 1 101)))))
