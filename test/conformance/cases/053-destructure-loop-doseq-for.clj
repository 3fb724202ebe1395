(prn (loop [[x & more] [1 2 3 4] total 0]
       (if x (recur more (+ total x)) total)))
(doseq [[k v] [[:a 1] [:b 2]]] (println k v))
(doseq [{:keys [n]} [{:n 1} {:n 2}]] (prn n))
(prn (for [[a b] [[1 2] [3 4]]] (* a b)))
(prn (for [{:keys [x]} [{:x 1} {:x 2}] :let [y (* x 10)]] [x y]))
(doseq [[i [a b]] (map-indexed vector [[:p :q] [:r :s]])] (prn i a b))
