(defn insert [t x]
  (cond (nil? t) {:v x}
        (< x (:v t)) (assoc t :l (insert (:l t) x))
        (> x (:v t)) (assoc t :r (insert (:r t) x))
        :else t))
(defn in-order [t] (when t (concat (in-order (:l t)) [(:v t)] (in-order (:r t)))))
(defn height [t] (if t (inc (max (height (:l t)) (height (:r t)))) 0))
(def t (reduce insert nil [50 30 70 20 40 60 80 30]))
(prn (in-order t))
(prn (height t))
(prn (:v (:l (:r t))))
(defn contains-v? [t x] (boolean (and t (or (= x (:v t)) (contains-v? (if (< x (:v t)) (:l t) (:r t)) x)))))
(prn (contains-v? t 60) (contains-v? t 65))
