(defn greet
  ([] (greet "world"))
  ([who] (str "hello " who))
  ([who punct] (str (greet who) punct)))
(prn (greet))
(prn (greet "bob"))
(prn (greet "bob" "!"))
(defn va
  ([a] [:one a])
  ([a b] [:two a b])
  ([a b & r] [:many a b r]))
(prn (va 1) (va 1 2) (va 1 2 3 4))
