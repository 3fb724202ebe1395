(defn noisy [n]
  (lazy-seq
    (when (< n 4)
      (println "realizing" n)
      (cons n (noisy (inc n))))))
(def s (noisy 0))
(println "created")
(prn (doall (take 2 s)))
(println "again")
(prn (doall (take 3 s)))
(prn (count s))
