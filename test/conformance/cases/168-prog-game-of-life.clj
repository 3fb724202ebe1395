(defn neighbors [[x y]] (for [dx [-1 0 1] dy [-1 0 1] :when (not= 0 dx dy)] [(+ x dx) (+ y dy)]))
(defn step [cells]
  (set (for [[loc n] (frequencies (mapcat neighbors cells))
             :when (or (= n 3) (and (= n 2) (cells loc)))]
         loc)))
(def blinker #{[1 0] [1 1] [1 2]})
(prn (sort (step blinker)))
(prn (= blinker (step (step blinker))))
(def glider #{[1 0] [2 1] [0 2] [1 2] [2 2]})
(prn (sort (nth (iterate step glider) 4)))
