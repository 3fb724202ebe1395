(defn lisp-eval [env x]
  (cond (symbol? x) (env x)
        (not (seq? x)) x
        :else (let [[op & args] x]
                (cond (= op 'quote) (first args)
                      (= op 'if) (lisp-eval env (if (lisp-eval env (first args)) (second args) (nth args 2)))
                      (= op 'lambda) (let [[params body] args]
                                       (fn [& vals] (lisp-eval (merge env (zipmap params vals)) body)))
                      :else (apply (lisp-eval env op) (map #(lisp-eval env %) args))))))
(def global {'+ + '* * '< < 'list list})
(prn (lisp-eval global '(+ 1 (* 2 3))))
(prn (lisp-eval global '((lambda (x y) (list y x)) 1 2)))
(prn (lisp-eval global '(if (< 1 2) (quote yes) (quote no))))
(prn (lisp-eval global '(((lambda (x) (lambda (y) (+ x y))) 10) 5)))
