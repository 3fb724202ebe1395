;; strbuild: the decimal strings of 0..99,999 concatenated into one string
;; by (apply str ...); the result is the string's length.
;; Timed from outside (see fib.clj).

(defn workload []
  (count (apply str (map str (range 100000)))))

(println (workload))
