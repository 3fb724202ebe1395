(defn op [x]
  (condp = x
    1 :one
    2 :two
    :other))
(prn (op 1) (op 2) (op 3))
(prn (condp < 5 10 :lt10 3 :lt3 :none))
(prn (condp some [1 2 3] #{0 4} :a #{3 5} :b :c))
(prn (condp some [1 2 3] #{2} :>> inc :none))
(prn (try (condp = 9 1 :one) (catch IllegalArgumentException e :no-match)))
