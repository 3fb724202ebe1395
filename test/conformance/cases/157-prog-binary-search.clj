(defn bsearch [v x]
  (loop [lo 0 hi (dec (count v))]
    (if (> lo hi) nil
      (let [mid (quot (+ lo hi) 2) m (v mid)]
        (cond (= m x) mid (< m x) (recur (inc mid) hi) :else (recur lo (dec mid)))))))
(def sorted-v (vec (range 0 1000 3)))
(prn (bsearch sorted-v 300) (bsearch sorted-v 301) (bsearch sorted-v 0) (bsearch sorted-v 999))
(prn (bsearch [] 1))
