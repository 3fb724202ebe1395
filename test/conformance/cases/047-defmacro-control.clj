(defmacro while-n [n & body]
  `(loop [i# 0] (when (< i# ~n) ~@body (recur (inc i#)))))
(while-n 3 (println "tick"))
(defmacro with-log [label & body]
  `(do (println "enter" ~label)
       (let [r# (do ~@body)]
         (println "exit" ~label r#)
         r#)))
(prn (with-log "calc" (+ 1 2)))
(defmacro my-cond [& clauses]
  (when (seq clauses)
    `(if ~(first clauses) ~(second clauses) (my-cond ~@(drop 2 clauses)))))
(prn (my-cond false 1 nil 2 :else 3))
