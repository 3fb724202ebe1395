(defn classify [n]
  (cond (neg? n) :negative
        (zero? n) :zero
        (< n 10) :small
        :else :large))
(prn (map classify [-5 0 3 50]))
(prn (cond false 1 nil 2))
(prn (cond))
(prn (cond (= 1 1) (do (println "side") :yes)))
(prn (cond :first-truthy :x :else :y))
