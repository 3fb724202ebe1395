(defn evaluate [env expr]
  (cond
    (number? expr) expr
    (symbol? expr) (get env expr)
    (seq? expr)
    (let [[op & args] expr]
      (case op
        let (let [[name val body] args]
              (evaluate (assoc env name (evaluate env val)) body))
        if (let [[c t e] args] (if (not= 0 (evaluate env c)) (evaluate env t) (evaluate env e)))
        (let [vals (map #(evaluate env %) args)]
          (case op
            + (apply + vals)
            * (apply * vals)
            - (apply - vals)))))))
(prn (evaluate {} '(+ 1 2 3)))
(prn (evaluate {'x 5} '(* x (+ x 1))))
(prn (evaluate {} '(let y 4 (let z 6 (- (* y z) 1)))))
(prn (evaluate {} '(if (- 2 2) 100 200)))
