(defn make-adder [n] (fn [x] (+ x n)))
(def add5 (make-adder 5))
(prn (add5 10) ((make-adder -1) 1))
(defn counter []
  (let [c (atom 0)]
    {:inc (fn [] (swap! c inc)) :get (fn [] @c)}))
(def c1 (counter))
(def c2 (counter))
((:inc c1)) ((:inc c1)) ((:inc c2))
(prn ((:get c1)) ((:get c2)))
(def fs (for [i (range 3)] (fn [] (* i 10))))
(prn (map #(%) fs))
(let [x 1 f (fn [] x)] (let [x 2] (prn (f))))
