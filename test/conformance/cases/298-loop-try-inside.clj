(prn (loop [i 0 out []]
       (if (= i 4) out
         (recur (inc i) (conj out (try (/ 12 (- i 2)) (catch ArithmeticException _ :div0)))))))
(defn attempts [n] (loop [k 1] (let [r (try (if (< k n) (throw (ex-info "retry" {})) :ok) (catch Exception _ nil))] (if r [r k] (recur (inc k))))))
(prn (attempts 3))
(prn (attempts 1))
