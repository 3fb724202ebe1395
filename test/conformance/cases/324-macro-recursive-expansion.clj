(defmacro my-cond-> [x & clauses]
  (if (empty? clauses) x
    (let [[test form & more] clauses]
      `(let [v# ~x] (my-cond-> (if ~test (-> v# ~form) v#) ~@more)))))
(prn (my-cond-> 1 true inc false (* 100) true (* 2)))
(defmacro unroll [n & body] `(do ~@(apply concat (repeat n body))))
(def hits (atom 0))
(unroll 4 (swap! hits inc))
(prn @hits)
(defmacro rev-args [f & args] `(~f ~@(reverse args)))
(prn (rev-args - 1 10) (rev-args str "a" "b" "c"))
