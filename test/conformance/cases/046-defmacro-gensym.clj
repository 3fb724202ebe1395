(defmacro my-or [& forms]
  (if (empty? forms)
    nil
    `(let [v# ~(first forms)]
       (if v# v# (my-or ~@(rest forms))))))
(prn (my-or nil false 3 4))
(prn (my-or nil false))
(defmacro square [x] `(let [y# ~x] (* y# y#)))
(def y 100)
(prn (square (+ y 1)))
(defmacro swap-pair [[a b]] `(let [t# ~a] [~b t#]))
(prn (swap-pair [1 2]))
(prn (let [x (gensym)] (symbol? x)))
(prn (not= (gensym "p") (gensym "p")))
