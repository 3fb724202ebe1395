(def pairs {\) \( \] \[ \} \{})
(defn balanced? [s]
  (empty? (reduce (fn [stack c]
                    (cond (#{\( \[ \{} c) (conj stack c)
                          (pairs c) (if (= (peek stack) (pairs c)) (pop stack) (reduced [:bad]))
                          :else stack))
                  [] s)))
(prn (map balanced? ["()" "([]{})" "(]" "((" "" "a(b[c]d)e" "}{"]))
