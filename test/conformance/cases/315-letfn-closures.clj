(defn make-ops [base]
  (letfn [(add [x] (+ base x))
          (twice [x] (add (add x)))]
    [add twice]))
(let [[a t] (make-ops 10)] (prn (a 1) (t 1)))
(prn (letfn [(fact [n] (if (zero? n) 1 (* n (fact (dec n)))))] (map fact (range 8))))
(letfn [(f [] :f-result)] (prn (f)))
(prn (letfn [(g [x] (if (pos? x) (h (dec x)) :bottom)) (h [x] (g x))] (g 100)))
