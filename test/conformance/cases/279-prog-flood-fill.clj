(def grid ["#####" "#..##" "#.#.#" "##..#" "#####"])
(defn cell [[r c]] (get-in grid [r c]))
(defn fill [start]
  (loop [todo [start] seen #{}]
    (if-let [p (peek todo)]
      (let [todo (pop todo)]
        (if (or (seen p) (not= \. (cell p))) (recur todo seen)
          (let [[r c] p] (recur (into todo [[(inc r) c] [(dec r) c] [r (inc c)] [r (dec c)]]) (conj seen p)))))
      seen)))
(prn (sort (fill [1 1])))
(prn (count (fill [2 3])))
