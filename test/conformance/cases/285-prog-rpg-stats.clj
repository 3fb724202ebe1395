(def base {:hp 100 :atk 10 :def 5})
(def items [{:atk 3} {:def 2 :hp 20} {:atk 1 :def 1}])
(def hero (apply merge-with + base items))
(prn hero)
(defn damage [attacker defender] (max 1 (- (:atk attacker) (:def defender))))
(def goblin {:hp 30 :atk 8 :def 2})
(defn fight [a b]
  (loop [a a b b round 1]
    (let [b (update b :hp - (damage a b))]
      (if (<= (:hp b) 0) [:win round]
        (let [a (update a :hp - (damage b a))]
          (if (<= (:hp a) 0) [:lose round] (recur a b (inc round))))))))
(prn (fight hero goblin))
(prn (fight goblin hero))
