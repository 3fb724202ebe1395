(defn f [x]
  (case x
    (:a :b) "a or b"
    ("x" "y") "x or y"
    (1 2 3) "small"
    [:v 1] "vector"
    {:k 1} "map"
    "default"))
(prn (map f [:a :b "x" "y" 2 [:v 1] {:k 1} :zzz]))
(prn (case 10 10 :ten 20 :twenty))
(prn (case "str" "str" :matched :nope))
(prn (case nil nil :nil-matched :nope))
(prn (case true true :t false :f))
(prn (let [x :b] (case x :a 1 :b 2 :c 3)))
