(let [a 1 b (+ a 1) c (* b 10)]
  (prn a b c))
(let [x 1]
  (let [x (inc x)]
    (prn x))
  (prn x))
(prn (let [] :empty))
(prn (let [a 1 a (+ a 1) a (* a 10)] a))
(let [f (fn [] :called)] (prn (f)))
(prn (let [x 5] (let [y x x 6] [x y])))
