(prn (peek [1 2 3]) (peek '(1 2 3)) (peek []))
(prn (pop [1 2 3]) (pop '(1 2 3)))
(prn (subvec [1 2 3 4 5] 2) (subvec [1 2 3 4 5] 1 4))
(prn (subvec [1 2] 1 1))
(let [s (subvec (vec (range 10)) 3 7)]
  (prn s (count s) (nth s 0) (conj s :x) (assoc s 0 :y) (pop s)))
(prn (try (pop []) (catch Exception e :empty-pop)))
