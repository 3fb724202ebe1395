(defn my-map [f coll]
  (lazy-seq (when-let [s (seq coll)] (cons (f (first s)) (my-map f (rest s))))))
(prn (my-map inc [1 2 3]))
(prn (take 3 (my-map #(* 2 %) (range))))
(defn my-filter [p coll]
  (lazy-seq (when-let [s (seq coll)]
    (if (p (first s)) (cons (first s) (my-filter p (rest s))) (my-filter p (rest s))))))
(prn (take 5 (my-filter odd? (range))))
(defn primes ([] (primes (iterate inc 2)))
  ([s] (lazy-seq (cons (first s) (primes (remove #(zero? (mod % (first s))) (rest s)))))))
(prn (take 10 (primes)))
(prn (count (my-map identity (range 5000))))
