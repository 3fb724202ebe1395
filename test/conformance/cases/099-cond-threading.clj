(defn build [x neg? big?]
  (cond-> x
    neg? -
    big? (* 1000)
    true inc))
(prn (build 5 false false) (build 5 true false) (build 5 true true))
(prn (cond->> [1 2 3] true (map inc) false (filter odd?) true (reduce +)))
(prn (cond-> {} (odd? 3) (assoc :odd true) (even? 3) (assoc :even true)))
