(def m [[1 2 3] [4 5 6]])
(defn transpose [m] (apply mapv vector m))
(prn (transpose m))
(defn mmul [a b]
  (let [bt (transpose b)]
    (mapv (fn [row] (mapv (fn [col] (reduce + (map * row col))) bt)) a)))
(prn (mmul m (transpose m)))
(def ident [[1 0] [0 1]])
(prn (mmul [[2 3] [4 5]] ident))
(prn (reduce + (map #(get-in m [% %]) (range 2))))
(defn mpow [a n] (reduce mmul (repeat n a)))
(prn (mpow [[1 1] [1 0]] 10))
