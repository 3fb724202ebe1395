(def data {:name "Zed" :tags ["a" "b" "c"] :pos {:x 3 :y 4}})
(let [{:keys [name] [t1 & ts] :tags {:keys [x y]} :pos} data]
  (prn name t1 ts x y))
(let [[{:keys [a]} {:keys [b]}] [{:a 1} {:b 2}]] (prn a b))
(let [[[a b] [c d]] [[1 2] [3 4]]] (prn (+ a b c d)))
(let [{[first-item] :items :or {first-item :none}} {:items []}] (prn first-item))
(let [[a [b [c [d]]]] [1 [2 [3 [4]]]]] (prn [a b c d]))
