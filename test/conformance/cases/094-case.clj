(defn kind [x]
  (case x
    1 :one
    (2 3 4) :few
    "str" :string
    :kw :keyword
    [1 2] :vec
    nil :nil
    :default))
(prn (map kind [1 3 "str" :kw [1 2] nil 99 'sym]))
(prn (case 'a a :sym b :other :none))
(prn (case (+ 1 1) 2 :two))
(prn (try (case 5 1 :one) (catch IllegalArgumentException e :no-clause)))
(prn (case \c \a 1 \c 3 0))
