(defn node [v & kids] {:v v :kids (vec kids)})
(def t (node "root" (node "a" (node "a1") (node "a2")) (node "b" (node "b1" (node "b1x")))))
(defn show [t depth]
  (println (str (apply str (repeat depth "  ")) "- " (:v t)))
  (doseq [k (:kids t)] (show k (inc depth))))
(show t 0)
(defn count-nodes [t] (inc (reduce + (map count-nodes (:kids t)))))
(prn (count-nodes t))
(prn (map :v (tree-seq (comp seq :kids) :kids t)))
