(defn minor [m i] (mapv #(vec (concat (subvec % 0 i) (subvec % (inc i)))) (rest m)))
(defn det [m]
  (if (= 1 (count m)) (ffirst m)
    (reduce + (map-indexed (fn [i x] (* (if (even? i) 1 -1) x (det (minor m i)))) (first m)))))
(prn (det [[5]]))
(prn (det [[1 2] [3 4]]))
(prn (det [[2 0 1] [1 3 2] [1 1 1]]))
(prn (det [[1 2 3] [4 5 6] [7 8 9]]))
(prn (det [[1 0 0 0] [0 2 0 0] [0 0 3 0] [0 0 0 4]]))
