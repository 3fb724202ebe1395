(doseq [[a b] [[7 2] [-7 2] [7 -2] [-7 -2] [0 3] [6 3]]]
  (prn [a b] (quot a b) (rem a b) (mod a b)))
(prn (mod 10 1) (rem 1000000007 97))
(prn (map #(mod % 3) (range -4 5)))
(prn (map #(rem % 3) (range -4 5)))
