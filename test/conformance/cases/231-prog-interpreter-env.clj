(defn run [program]
  (loop [pc 0 regs {} out []]
    (if (>= pc (count program)) {:regs regs :out out}
      (let [[op a b] (program pc)]
        (case op
          :set (recur (inc pc) (assoc regs a b) out)
          :add (recur (inc pc) (update regs a + (get regs b b)) out)
          :dec (recur (inc pc) (update regs a dec) out)
          :jnz (if (zero? (get regs a)) (recur (inc pc) regs out) (recur (+ pc b) regs out))
          :out (recur (inc pc) regs (conj out (get regs a))))))))
(prn (run [[:set :a 5] [:set :acc 0] [:add :acc :a] [:out :acc] [:dec :a] [:jnz :a -3]]))
(prn (:out (run [[:set :x 1] [:out :x] [:add :x :x] [:out :x] [:add :x 10] [:out :x]])))
