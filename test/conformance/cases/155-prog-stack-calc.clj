(require '[clojure.string :as str])
(defn rpn [s]
  (first
    (reduce (fn [stack tok]
              (case tok
                "+" (conj (pop (pop stack)) (+ (peek (pop stack)) (peek stack)))
                "-" (conj (pop (pop stack)) (- (peek (pop stack)) (peek stack)))
                "*" (conj (pop (pop stack)) (* (peek (pop stack)) (peek stack)))
                (conj stack (parse-long tok))))
            [] (str/split s #" "))))
(prn (rpn "3 4 +"))
(prn (rpn "5 1 2 + 4 * + 3 -"))
(prn (rpn "2 3 4 * *"))
