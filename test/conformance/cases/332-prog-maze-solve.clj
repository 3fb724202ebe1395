(def maze ["S.#....." ".##.##.#" "....#..." "#.#...#E"])
(defn at [[r c]] (get-in maze [r c]))
(defn find-ch [ch] (first (for [r (range (count maze)) c (range (count (maze r))) :when (= ch (at [r c]))] [r c])))
(defn solve []
  (loop [frontier [[(find-ch \S)]] seen #{(find-ch \S)}]
    (when-let [path (first frontier)]
      (let [[r c :as p] (peek path)]
        (if (= \E (at p)) path
          (let [nexts (for [[dr dc] [[0 1] [1 0] [0 -1] [-1 0]] :let [q [(+ r dr) (+ c dc)]]
                            :when (and (at q) (not= \# (at q)) (not (seen q)))] q)]
            (recur (into (vec (rest frontier)) (map #(conj path %) nexts)) (into seen nexts))))))))
(prn (count (solve)) (first (solve)) (peek (solve)))
