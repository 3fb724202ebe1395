(let [map {:a 1} count 5 str "s"]
  (prn map count str))
(let [inc dec] (prn (inc 5)))
(defn f [list] (first list))
(prn (f [9 8]))
(let [first second] (prn (first [1 2])))
(prn (map inc [1 2]))
(let [x 1 y x x 2] (prn x y))
